# The KPIs have no models of their own: nothing to administer.
