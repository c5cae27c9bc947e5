#!/bin/sh
# Regenerate cibform's metadata snapshot from the agents installed on this host.
#
#   tools/snapshot-metadata.sh [OUT]      (default: src/validate/metadata/snapshot.xml)
#
# The snapshot is what `cibform validate` checks against when no cluster node is asked: the
# option metadata of Pacemaker's daemons (cluster properties; the `pcmk_*` parameters of every
# fence device) and the metadata of every OCF resource agent and fence agent installed here, as
# `crm_resource --show-metadata` prints it. Descriptions are dropped (cibform does not show
# them); names, types, defaults, `required`/`unique`/deprecation and actions are kept. The
# versions of the packages it came from are recorded in the snapshot and shown by cibform. One
# element per line, so a refresh reviews as a readable diff.
#
# Needs: crm_resource (pacemaker-cli-utils), xsltproc, xmllint; the agents to snapshot
# (resource-agents, pacemaker-resource-agents, fence-agents, cluster-glue).
set -eu

out=${1:-src/validate/metadata/snapshot.xml}
daemons=/usr/lib/pacemaker
[ -x "$daemons/pacemaker-schedulerd" ] || daemons=/usr/libexec/pacemaker
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Keep what validation needs, drop descriptions and command-line details.
cat > "$tmp/strip.xsl" <<'XSL'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" omit-xml-declaration="yes" indent="no"/>
  <xsl:strip-space elements="*"/>
  <xsl:template match="longdesc|shortdesc|getopt|vendor-url|symlink|desc|@shortdesc|@lang"/>
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
</xsl:stylesheet>
XSL

version() {
    dpkg-query -W -f '${Version}' "$1" 2>/dev/null || rpm -q --qf '%{VERSION}-%{RELEASE}' "$1" 2>/dev/null || echo unknown
}

# emit NAME: one <agent> holding the stripped metadata read from stdin.
emit() {
    if xsltproc "$tmp/strip.xsl" - > "$tmp/one.xml" 2>/dev/null && [ -s "$tmp/one.xml" ]; then
        printf '<agent name="%s">' "$1"
        cat "$tmp/one.xml"
        printf '</agent>\n'
    else
        echo "skipped $1: no valid metadata" >&2
    fi
}

{
    printf '<metadata-snapshot generated-by="tools/snapshot-metadata.sh">\n'
    for p in pacemaker resource-agents pacemaker-resource-agents fence-agents cluster-glue; do
        printf '<package name="%s" version="%s"/>\n' "$p" "$(version "$p")"
    done
    for d in schedulerd controld based fenced; do
        "$daemons/pacemaker-$d" metadata | emit "pacemaker-$d"
    done
    for provider in $(crm_resource --list-ocf-providers); do
        for a in $(crm_resource --list-agents "ocf:$provider"); do
            crm_resource --show-metadata "ocf:$provider:$a" 2>/dev/null | emit "ocf:$provider:$a"
        done
    done
    for a in $(crm_resource --list-agents stonith); do
        crm_resource --show-metadata "stonith:$a" 2>/dev/null | emit "stonith:$a"
    done
    printf '</metadata-snapshot>\n'
} > "$tmp/snapshot.xml"

xmllint --format "$tmp/snapshot.xml" | sed 's/^ *//' > "$tmp/formatted.xml"
mv "$tmp/formatted.xml" "$out"
echo "wrote $out: $(grep -c '^<agent ' "$out") agents, $(wc -c < "$out") bytes" >&2
