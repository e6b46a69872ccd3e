"""HR correction of a unit's basic information (issue 17, UNIT-1, UNIT-5): the unit may not change
its name after confirming, so its regional HR authority corrects it, with a reason, audited."""
