// Package docs holds Gati's user documentation; its test compiles every Go snippet.
package docs
