"""The API's views, one module per area; simulator/api/urls.py mounts them."""
