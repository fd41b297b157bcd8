package uideploy

import (
	"mime"
	"path"
	"strings"
)

// Cache-Control values.
const (
	// CacheImmutable is for content-hashed assets: a new build gives them new names.
	CacheImmutable = "public, max-age=31536000, immutable"
	// CacheEntryPoint is for index.html and js/window.js, which name the hashed assets and carry the
	// runtime config: browsers and CloudFront must never serve a stale copy.
	CacheEntryPoint = "no-cache, no-store, must-revalidate"
	// CacheRevalidate is for every other file whose name does not change with its content (favicon.ico,
	// robots.txt, images in public/): cached, but revalidated by ETag on every use.
	CacheRevalidate = "no-cache"
)

// Fixed object names, relative to the prefix.
const (
	IndexKey    = "index.html"
	WindowJSKey = "js/window.js"
)

// CacheControl is the Cache-Control header for the object at key (relative to the prefix).
//
// Content-hashed assets are immutable (CacheImmutable); index.html and js/window.js are never
// cached (CacheEntryPoint); every other name that does not change with its content is revalidated
// (CacheRevalidate).
func CacheControl(key string) string {
	switch {
	case key == IndexKey || key == WindowJSKey:
		return CacheEntryPoint
	case Hashed(key):
		return CacheImmutable
	default:
		return CacheRevalidate
	}
}

// Hashed reports whether a file name carries a content hash, so the file can be cached forever. A
// name is hashed when, before its extension, it has
//
//   - a dot-separated part of 8 to 64 lower-case hex digits holding at least one digit, as webpack,
//     Create React App and Angular write them: main.3f2a9c1b.js, 787.a1b2c3d4.chunk.js,
//     polyfills.6f3b1c2d9e8a7b6c.js; or
//   - after its last dash or dot, exactly 8 characters of [A-Za-z0-9_] holding a digit, an upper-case
//     and a lower-case letter, as Vite and Rollup write them: assets/index-BxK3a9_Q.js.
//
// The rules err towards "not hashed": words (main-settings.js, logo-v2-large.png) never match, and a
// hashed name that does not match (a Rollup hash with a dash in it, say) is only revalidated more
// often. The first dot-separated part (the file's own name) is never taken for a hash.
func Hashed(name string) bool {
	parts := strings.Split(path.Base(name), ".")
	if len(parts) < 2 {
		return false
	}
	for i, p := range parts[:len(parts)-1] {
		if i > 0 && hexHash(p) {
			return true
		}
		if j := strings.LastIndexByte(p, '-'); j >= 0 && (hexHash(p[j+1:]) || rollupHash(p[j+1:])) {
			return true
		}
		if i > 0 && rollupHash(p) {
			return true
		}
	}
	return false
}

func hexHash(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	digit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'f':
		default:
			return false
		}
	}
	return digit
}

func rollupHash(s string) bool {
	if len(s) != 8 {
		return false
	}
	var digit, upper, lower bool
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r == '_':
		default:
			return false
		}
	}
	return digit && upper && lower
}

// contentTypes are the types of the files a web build holds. The table is the package's own, so an
// upload does not depend on the machine's mime.types.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".cjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
	".xml":         "application/xml",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".eot":         "application/vnd.ms-fontobject",
	".wasm":        "application/wasm",
	".pdf":         "application/pdf",
	".mp4":         "video/mp4",
	".webm":        "video/webm",
	".gz":          "application/gzip",
	".zip":         "application/zip",
}

// ContentType is the Content-Type of the object at key, from its extension: the package's table
// first, then Go's, then application/octet-stream.
func ContentType(key string) string {
	ext := strings.ToLower(path.Ext(key))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
