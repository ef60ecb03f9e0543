"""voldata: the Guangzhou Community Volunteer Service Development Report, computed from platform exports."""
from __future__ import annotations

__version__ = "0.1.0"
