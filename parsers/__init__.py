"""edi-mesh parsers: pure, fast X12 and UN/EDIFACT reading, validation and writing.

No Kafka, Faust or network import may ever appear in this package.
"""
