"""The regions' admin pages are registered in `orgs.admin`, next to the scopes that limit
them (regions sit below orgs; orgs imports regions, never the reverse)."""
