-- A module that asks for itself.
return dnsvet.lib("selfish")
