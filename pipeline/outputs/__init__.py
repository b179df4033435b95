"""What leaves the mesh for partners: acknowledgements (and replies) to outbox files."""
