"""Complaints: the complaint channel (CMP-1), its clocks, the investigation and the violation register."""
