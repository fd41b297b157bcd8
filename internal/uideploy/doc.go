// Package uideploy publishes a built flip-ui (its dist directory) to the hub's UI bucket without
// touching any infrastructure: it syncs the files under one key prefix (uploading new and changed
// files, skipping unchanged ones, deleting objects the build no longer has), sets each object's
// Content-Type from its extension and its Cache-Control from its name (immutable for content-hashed
// assets, no-cache for index.html, js/window.js and anything else whose name does not change with its
// content), renders js/window.js, the UI's runtime configuration, from the stack outputs, and then
// invalidates the CloudFront distribution and waits for the invalidation to complete.
//
// It must never delete or overwrite an object outside its prefix or under a kept prefix (such as
// ark_demo/, which another deploy owns), never publish from a missing or empty directory or one
// without index.html, and never upload index.html or js/window.js before the assets they reference.
// It talks to AWS only through narrow interfaces that *s3.Client and *cloudfront.Client satisfy, and
// window.js holds no secret: only public identifiers the browser needs.
package uideploy
