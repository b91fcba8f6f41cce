"""Domain events: written in the transaction of the change, delivered by the worker."""

from mentorkit.events.emit import emit, emit_many, schedule
from mentorkit.events.model import Event, utcnow
from mentorkit.events.tables import Delivery, EventRecord, Timer

__all__ = ["Delivery", "Event", "EventRecord", "Timer", "emit", "emit_many", "schedule", "utcnow"]
