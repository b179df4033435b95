"""The contract with everyone outside: topics, headers, records, errors, schemas."""
