"""`hotelhub demo`: a local OTA partner simulator pushing bookings to a hub running in-process."""
