-- A module trying what rules may not do.
return {io = io ~= nil, os_execute = os ~= nil and os.execute ~= nil, require = require ~= nil}
