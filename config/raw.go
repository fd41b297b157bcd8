package config

// The raw shapes of the object-valued keys, as written in Pulumi.<stack>.yaml. Pointers
// mark values whose absence selects an environment default.

type rawNetwork struct {
	CIDR              string   `json:"cidr"`
	AvailabilityZones []string `json:"availabilityZones"`
	NATGateways       *int     `json:"natGateways"`
}

type rawDatabase struct {
	EngineVersion             string `json:"engineVersion"`
	InstanceClass             string `json:"instanceClass"`
	AllocatedStorageGB        *int   `json:"allocatedStorageGb"`
	MaxAllocatedStorageGB     *int   `json:"maxAllocatedStorageGb"`
	Name                      string `json:"name"`
	Username                  string `json:"username"`
	MultiAZ                   *bool  `json:"multiAz"`
	BackupRetentionDays       *int   `json:"backupRetentionDays"`
	DeletionProtection        *bool  `json:"deletionProtection"`
	FinalSnapshot             *bool  `json:"finalSnapshot"`
	MonitoringIntervalSeconds *int   `json:"monitoringIntervalSeconds"`
}

type rawHost struct {
	InstanceType       string `json:"instanceType"`
	RootVolumeGB       *int   `json:"rootVolumeGb"`
	DetailedMonitoring *bool  `json:"detailedMonitoring"`
}

type rawEdge struct {
	Domain             string `json:"domain"`
	ZoneName           string `json:"zoneName"`
	ManageDNS          *bool  `json:"manageDns"`
	PriceClass         string `json:"priceClass"`
	WAF                string `json:"waf"`
	RateLimitPer5Min   *int   `json:"rateLimitPer5Min"`
	DeletionProtection *bool  `json:"deletionProtection"`
}

type rawIdentity struct {
	MFA                   string `json:"mfa"`
	DeletionProtection    *bool  `json:"deletionProtection"`
	ThreatProtection      string `json:"threatProtection"`
	DomainPrefix          string `json:"domainPrefix"`
	SenderEmail           string `json:"senderEmail"`
	AdminEmail            string `json:"adminEmail"`
	AdminUser             string `json:"adminUser"`
	ResearcherUser        string `json:"researcherUser"`
	SESIdentity           string `json:"sesIdentity"`
	SESVerified           *bool  `json:"sesVerified"`
	AccessTokenMinutes    *int   `json:"accessTokenMinutes"`
	IDTokenMinutes        *int   `json:"idTokenMinutes"`
	RefreshTokenDays      *int   `json:"refreshTokenDays"`
	TemporaryPasswordDays *int   `json:"temporaryPasswordDays"`
}

type rawFL struct {
	Backend      string   `json:"backend"`
	Port         *int     `json:"port"`
	KitSlotNames []string `json:"kitSlotNames"`
	KitDate      string   `json:"kitDate"`
	MinClients   *int     `json:"minClients"`
}

type rawImages struct {
	Registry   string `json:"registry"`
	Tag        string `json:"tag"`
	FLRegistry string `json:"flRegistry"`
	FLTag      string `json:"flTag"`
}

type rawTrust struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Region      string   `json:"region"`
	EgressCIDRs []string `json:"egressCidrs"`
	Rotation    *int     `json:"rotation"`
	Hosting     string   `json:"hosting"`
}
