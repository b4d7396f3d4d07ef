"""驻点台账: validate, merge and publish the 五定四全 stationing ledgers of a street office."""
