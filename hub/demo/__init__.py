"""`hotelhub demo`: OTA partners pushing bookings to an in-process hub, and channels taking its ARI."""
