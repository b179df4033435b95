"""Getting partners' interchanges onto edi.inbound: sources, planning, producing, channels."""
