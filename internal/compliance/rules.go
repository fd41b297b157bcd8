package compliance

// Rules returns the hub's whole rule set, in a stable order.
func Rules() []Rule {
	var all []Rule
	for _, group := range [][]Rule{rdsRules(), s3Rules(), kmsLogRules(), networkRules(), iamRules(), computeRules(), edgeRules(), identityRules()} {
		all = append(all, group...)
	}
	return all
}
