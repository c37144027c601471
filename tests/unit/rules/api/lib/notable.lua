-- A module that returns no table.
return 42
