// Package flip holds the contract between flip-hub and FLIP's own images and tooling: every
// name and format a FLIP container, script or tool reads (env variables and their value
// formats, the trust kit's sentinel and hub-shared keys, trust codes, bucket settings,
// Flower's key registration), each with the upstream file it comes from. Renderers, writers,
// validation and checks import these values; nothing else spells them. It never decides
// anything of flip-hub's own (names, sizes, defaults) and imports nothing of the project.
package flip
