// Package hub is the whole flip-hub Pulumi program: Program loads and validates the stack
// config, builds the explicit providers (AWS in the stack region and in us-east-1, random,
// command), composes the layers in dependency order, and exports the stack outputs. main,
// hubctl and every test run exactly this function. It is the only package that reads
// config; layers receive plain values and upstream outputs from it.
package hub
