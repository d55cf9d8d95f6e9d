"""pytest plugin: `pytest benchmark/ --paper-tolerance`."""
