// Package identity owns who may sign in to the hub and what the hub host may do
// (flip:identity:Identity): the Cognito user pool, its domain and the SPA's public app client; the SES
// identity, configuration set and the email templates flip-api sends; and the hub host's IAM role and
// instance profile. It never reads config or the stack name, never grants a wildcard action, and
// never grants a wildcard resource except where AWS offers nothing narrower.
package identity
