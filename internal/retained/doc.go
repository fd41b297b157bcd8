// Package retained finds in the account what a destroy of a stack kept (its KMS key and alias,
// the FLIP_API secret, the Cognito pool and its parts, the app buckets) by the names the program
// gives them, restores what is scheduled for deletion, and adopts it into the stack file's
// imports, so that the next up takes it over instead of failing on names that already exist.
package retained
