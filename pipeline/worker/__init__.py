"""The Faust worker: parse, validate, dedup, enrich, route and acknowledge each interchange."""
