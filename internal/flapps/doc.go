// Package flapps publishes FLIP's FL base application (fl-apps/<backend>/: required_files.json and
// one folder per job type) to the prefix flip-api copies job templates from,
// s3://<app-bundles>/base-application/<backend>/, as upstream's fl-apps workflows do: a sync with
// deletions and a commit_<sha7>.txt marker. It never touches anything outside that prefix.
package flapps
