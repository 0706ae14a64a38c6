"""The one place pushes are worded: staff alerts, users' notices, reminders, waitlist offers.

`Notifier` turns the domain events storage records (dialogs/events.py) into outbox notices.
"""

from dialogs.notify.notifier import Notifier

__all__ = ["Notifier"]
