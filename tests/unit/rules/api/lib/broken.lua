-- A module that fails while loading.
error("broken on purpose")
