#!/bin/sh
# Makes the files that shorten jpoline.jar's start-up, beside it in TARGET_DIR. Run by Maven
# after the jar is shaded: startup-files.sh JAVA TARGET_DIR. Never fails the build: without
# these files jpoline only starts slower.
#
# target/jna/libjnidispatch.so: JNA's native half, taken out of the jar here so that ./jpoline
# can name it (-Djna.boot.library.path) instead of JNA copying it to a temporary file on every
# start (measured: JNA's first use 67 -> 36 ms).
#
# target/jpoline.jsa: a dynamic AppCDS archive of the start-up, by a training run of the jar
# (the hidden command __cds-training, dev.jpoline.cli.CdsTraining), and target/jpoline.jsa.jvm,
# "JAVA_RUNTIME_VERSION REAL_JAVA_PATH" of the JVM that made it: ./jpoline passes the archive
# only to that JVM, because another JVM rejects it and then runs without the JDK's own CDS
# archive as well.
set -u
java=$1
target=$2
jar="$target/jpoline.jar"
jsa="$target/jpoline.jsa"
scratch="$target/cds-training"

# The shade leaves an unchanged jar's time alone, but ./jpoline (and the tests, through it)
# call a jar older than any file under a src/ stale: after a build, the jar is current.
touch "$jar"

# Nothing older may outlive the jar it was made for.
rm -f "$jsa" "$jsa.jvm" "$jsa.tmp"
rm -rf "$scratch" "$target/jna"

# JNA's native library, for this jar's JNA version (JNA refuses another one); touched, since
# ./jpoline takes it only when it is newer than the jar.
mkdir -p "$target/jna" &&
    (cd "$target/jna" && "${java%/java}/jar" xf "$jar" com/sun/jna/linux-x86-64/libjnidispatch.so &&
        mv com/sun/jna/linux-x86-64/libjnidispatch.so . && rm -rf com && touch libjnidispatch.so) ||
    { echo "target/jna not made (no jar tool?): JNA copies its library out of the jar at each start"; rm -rf "$target/jna"; }

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
# JNA as ./jpoline will start it, so that the archive holds what that start loads.
jna=
[ -f "$target/jna/libjnidispatch.so" ] && jna="-Djna.boot.library.path=$target/jna"
# G1 as ./jpoline runs it: an archive made under another collector leaves out the module graph.
JPOLINE_CACHE_DIR="$scratch/cache" timeout 300 "$java" -XX:ArchiveClassesAtExit="$jsa.tmp" -XX:+UseG1GC $jna \
    -jar "$jar" __cds-training "$scratch" >"$scratch/training.log" 2>&1
status=$?
[ -s "$jsa.tmp" ] || skip "the training run (exit status $status) wrote no archive"
mv "$jsa.tmp" "$jsa" || skip "cannot move the archive into place"
echo "$version $real_java" >"$jsa.jvm"
rm -rf "$scratch/cache"
