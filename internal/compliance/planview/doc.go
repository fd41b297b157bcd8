// Package planview adapts a graph recorded by package plan into compliance views, so the
// rules that the policy pack enforces on real previews also judge the offline plan in
// the tests and in `hubctl plan`. It is a separate package so that the compliance rules
// (and the policy pack built from them) do not link the program and its AWS SDK.
package planview
