"""trucewatch: a ceasefire-violation monitor that turns reports into attributed incident claims."""

__version__ = "0.1.0"
