"""Trading partners: profiles, the compacted-topic feed, and the sync command."""
