"""Background work on SAQ: outbox delivery, reminders, no-show sweep, deadlines, retention."""
