"""edi-mesh pipeline: the Faust app, agents, topics, tables, ingest, façade and CLI."""
