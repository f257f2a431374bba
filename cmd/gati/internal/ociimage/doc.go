// Package ociimage builds a Gati app into a multi-platform OCI image
// without a Docker daemon, the way ko does: it cross-compiles the app's
// main package for each platform (CGO_ENABLED=0, -trimpath) and lays the
// binary on a base image with go-containerregistry, then pushes the index
// to a registry or writes it as an OCI layout or an OCI archive.
//
// # Layout of the image
//
// On the default base (none, "scratch") the image has two layers:
//
//   - the system layer, the same for every app and platform built by one
//     version of the CLI and Go toolchain: /etc/passwd and /etc/group with
//     root and nonroot (65532), /home/nonroot, /tmp (1777), the CA roots
//     at /etc/ssl/certs/ca-certificates.crt and the IANA time zone
//     database under /usr/share/zoneinfo;
//   - the app layer: the binary at /app/<name> and, when the app has one,
//     its gati.yaml at /app/gati.yaml ([ConfigPath]).
//
// On a base image only the app layer is added: the base supplies users, CA
// roots and time zones. Either way the image runs /app/<name> as
// 65532:65532 in /app, with PORT=8080 and 8080/tcp exposed. The app
// finds /app/gati.yaml as the gati.yaml of its working directory; a
// deployment that mounts another file sets GATI_CONFIG to its path.
//
// # Reproducibility
//
// The same source, CLI and Go toolchain give the same digest: the build
// is trimmed and carries no VCS state beyond the stamped version and
// commit, the tar headers are normalized (mtime 0, root ownership but for
// /home/nonroot, no user or group names, entries sorted, every parent
// directory present), the CA roots come from the versioned module
// golang.org/x/crypto/x509roots/fallback (pinned by the CLI's go.sum, not
// read from the host) and the time zones from the toolchain's
// lib/time/zoneinfo.zip. The creation time is HEAD's commit time when the
// app's directory is in git and clean, else $SOURCE_DATE_EPOCH, else the
// Unix epoch. A base image named by tag is resolved to a digest when
// built, recorded in the labels; name it by digest to pin it.
package ociimage
