package flip

// SES template names are fixed by flip-api, which looks each one up by name in the account and
// region (so they are not prefixed like other physical names; stag and prod live in separate
// accounts). [flip-api/src/flip_api/utils/constants.py]
const (
	SESTemplateAccessRequest  = "flip-access-request"
	SESTemplateXNATInvite     = "flip-xnat-invite"
	SESTemplateAddedToProject = "flip-xnat-added-to-project"
)

// SESTemplates are the templates flip-api sends with.
var SESTemplates = []string{SESTemplateAccessRequest, SESTemplateXNATInvite, SESTemplateAddedToProject}
