#!/bin/sh
# Builds target/jpoline.jsa, a dynamic AppCDS archive of jpoline.jar's start-up, by a training
# run of the jar (the hidden command __cds-training, dev.jpoline.cli.CdsTraining). Run by Maven
# after the jar is shaded: cds-archive.sh JAVA TARGET_DIR.
#
# Also writes target/jpoline.jsa.jvm, "JAVA_RUNTIME_VERSION REAL_JAVA_PATH" of the JVM that made
# the archive: ./jpoline passes the archive only to that JVM, because another JVM rejects it and
# then runs without the JDK's own CDS archive as well. Never fails the build: without an archive
# jpoline only starts slower.
set -u
java=$1
target=$2
jar="$target/jpoline.jar"
jsa="$target/jpoline.jsa"
scratch="$target/cds-training"

# A failed training must not leave an older archive beside a newer jar.
rm -f "$jsa" "$jsa.jvm" "$jsa.tmp"
rm -rf "$scratch"
mkdir -p "$scratch/cache" || exit 0

skip() {
    echo "jpoline.jsa not built ($1; details in $scratch/training.log): ./jpoline starts without it"
    rm -f "$jsa.tmp"
    exit 0
}

real_java=$(readlink -f "$java") || skip "cannot resolve $java"
version=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "${real_java%/bin/java}/release" 2>/dev/null)
[ -n "$version" ] || skip "no JAVA_RUNTIME_VERSION in ${real_java%/bin/java}/release"

# The plan cache and the extracted runtime go to the scratch directory, not the user's cache.
# timeout: a training run that hangs must not hang the build.
JPOLINE_CACHE_DIR="$scratch/cache" timeout 300 "$java" -XX:ArchiveClassesAtExit="$jsa.tmp" -XX:+UseSerialGC \
    -jar "$jar" __cds-training "$scratch" >"$scratch/training.log" 2>&1
status=$?
[ -s "$jsa.tmp" ] || skip "the training run (exit status $status) wrote no archive"
mv "$jsa.tmp" "$jsa" || skip "cannot move the archive into place"
echo "$version $real_java" >"$jsa.jvm"
rm -rf "$scratch/cache"
