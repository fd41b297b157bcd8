package edge

import (
	"fmt"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/deploy"
)

// ViewerStrippedHeaders are headers a viewer may never send to flip-api: X-Internal-Service-Key
// authenticates fl-server to flip-api inside the hub, and the /api/* origin request policy
// forwards every viewer header, so the edge removes it before the request leaves CloudFront.
var ViewerStrippedHeaders = []string{strings.ToLower(deploy.InternalServiceKeyHeader)}

// StripCode renders the viewer-request CloudFront Function (runtime cloudfront-js-2.0) of the
// /api/* behaviour: it deletes ViewerStrippedHeaders (CloudFront hands functions lower-case
// header names) and passes everything else through.
func StripCode() string {
	var b strings.Builder
	b.WriteString("function handler(event) {\n  var h = event.request.headers;\n")
	for _, name := range ViewerStrippedHeaders {
		fmt.Fprintf(&b, "  delete h[%q];\n", name)
	}
	b.WriteString("  return event.request;\n}\n")
	return b.String()
}
