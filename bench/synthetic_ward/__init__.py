"""A synthetic ward's residents, households and history, for the registry bench."""
