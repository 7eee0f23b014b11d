"""Small reusable widgets: banner, busy bar, secret field, version timeline, state badges."""
