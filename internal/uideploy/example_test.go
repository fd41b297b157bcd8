package uideploy_test

import (
	"fmt"

	"github.com/londonaicentre/flip-hub/internal/uideploy"
)

func ExampleCacheControl() {
	for _, key := range []string{"index.html", "js/window.js", "assets/index-BxK3a9_Q.js", "static/js/main.3f2a9c1b.js", "favicon.ico"} {
		fmt.Printf("%-28s %s\n", key, uideploy.CacheControl(key))
	}
	// Output:
	// index.html                   no-cache, no-store, must-revalidate
	// js/window.js                 no-cache, no-store, must-revalidate
	// assets/index-BxK3a9_Q.js     public, max-age=31536000, immutable
	// static/js/main.3f2a9c1b.js   public, max-age=31536000, immutable
	// favicon.ico                  no-cache
}
