// Package uideploy publishes a built flip-ui dist directory to the hub's UI bucket without touching
// infrastructure: it syncs files under one key prefix, renders js/window.js from the stack outputs,
// and invalidates the CloudFront distribution. It never deletes or overwrites an object outside its
// prefix or under a kept prefix, never publishes a directory without index.html, never uploads
// index.html or js/window.js before the assets they reference, and never puts a secret in window.js.
package uideploy
