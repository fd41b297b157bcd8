package config

import "github.com/londonaicentre/flip-hub/internal/flip"

// defaults is the environment table of ARCHITECTURE.md: what a stack gets when its
// config says nothing. Prod values are also the floor that prod config may not go below.
type defaults struct {
	env                 Environment
	multiAZ             bool
	backupRetention     int
	dbDeletionProtect   bool
	finalSnapshot       bool
	protect             bool
	monitoringInterval  int
	natPerAZ            bool
	lbDeletionProtect   bool
	poolDeletionProtect bool
	threatEnforced      bool
	logRetention        int
	minLogRetention     int
	minBackupRetention  int
	detailedMonitoring  bool
	wafBlock            bool
	kmsDeletionWindow   int
}

func defaultsFor(env Environment) defaults {
	if env == Stag {
		return defaults{
			env:                Stag,
			backupRetention:    7,
			logRetention:       30,
			minLogRetention:    30,
			minBackupRetention: 1,
			wafBlock:           true,
			kmsDeletionWindow:  7,
		}
	}
	return defaults{
		env:                 Prod,
		multiAZ:             true,
		backupRetention:     14,
		dbDeletionProtect:   true,
		finalSnapshot:       true,
		protect:             true,
		monitoringInterval:  60,
		natPerAZ:            true,
		lbDeletionProtect:   true,
		poolDeletionProtect: true,
		threatEnforced:      true,
		logRetention:        365,
		minLogRetention:     365,
		minBackupRetention:  14,
		detailedMonitoring:  true,
		wafBlock:            true,
		kmsDeletionWindow:   30,
	}
}

// Fixed defaults that do not depend on the environment.
const (
	defaultEngineVersion      = "17"
	defaultInstanceClass      = "db.t4g.small"
	defaultAllocatedStorageGB = 20
	defaultMaxStorageGB       = 100
	defaultDBName             = "flip"
	defaultDBUsername         = "flip_admin"
	defaultHostInstanceType   = "t3.large"
	defaultRootVolumeGB       = 50
	defaultPriceClass         = "PriceClass_100"
	defaultRateLimit          = 2000
	defaultAccessTokenMinutes = 60
	defaultIDTokenMinutes     = 60
	defaultRefreshTokenDays   = 30
	defaultTempPasswordDays   = 7
	defaultNVFlarePort        = flip.NVFlarePort
	defaultFlowerPort         = flip.FlowerFleetPort
	defaultMinClients         = 1
	defaultRegistry           = "ghcr.io/londonaicentre/"
)

func orInt(p *int, d int) int {
	if p == nil {
		return d
	}
	return *p
}

func orBool(p *bool, d bool) bool {
	if p == nil {
		return d
	}
	return *p
}

func orString(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
