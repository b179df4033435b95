"""The command line and the processes it starts: up, broker, replay, tail, offline parse."""
