{{- define "switchbench.fullname" -}}
{{- printf "%s-operator" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "switchbench.labels" -}}
app.kubernetes.io/name: switchbench-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "switchbench.selector" -}}
app.kubernetes.io/name: switchbench-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- /*
An image of the chart: the one set explicitly, else imageRegistry/switchbench-NAME:imageTag (the
chart's appVersion by default), else localhost/switchbench-NAME:dev as images/build.sh imports it.
Called with (list $ NAME EXPLICIT).
*/ -}}
{{- define "switchbench.image" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $explicit := index . 2 -}}
{{- if $explicit -}}
{{ $explicit }}
{{- else if $root.Values.imageRegistry -}}
{{ $root.Values.imageRegistry }}/switchbench-{{ $name }}:{{ $root.Values.imageTag | default $root.Chart.AppVersion }}
{{- else -}}
localhost/switchbench-{{ $name }}:dev
{{- end -}}
{{- end -}}

{{- /* The operator image: image.repository (with image.tag, else imageTag, else appVersion) or as switchbench.image. */ -}}
{{- define "switchbench.operatorImage" -}}
{{- if .Values.image.repository -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Values.imageTag | default .Chart.AppVersion }}
{{- else -}}
{{ include "switchbench.image" (list . "operator" "") }}
{{- end -}}
{{- end -}}

{{- /* namespace/name of the Multus DaemonSet the operator checks before kernel and sriov runs, if any. */ -}}
{{- define "switchbench.multusDaemonSet" -}}
{{- if .Values.multus.install -}}
{{ .Release.Namespace }}/{{ printf "%s-multus" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else if and .Values.multus.daemonSet.namespace .Values.multus.daemonSet.name -}}
{{ .Values.multus.daemonSet.namespace }}/{{ .Values.multus.daemonSet.name }}
{{- end -}}
{{- end -}}

{{- /*
Metadata of a monitoring object (ServiceMonitor, PrometheusRule, dashboard ConfigMap): its own
namespace if given, the chart's labels plus the ones its selector wants, and its annotations.
Called with (dict "root" $ "name" NAME "values" .Values.metrics.serviceMonitor).
*/ -}}
{{- define "switchbench.monitoringMetadata" -}}
name: {{ .name }}
namespace: {{ .values.namespace | default .root.Release.Namespace }}
labels:
  {{- include "switchbench.labels" .root | nindent 2 }}
  {{- with .values.labels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with .values.annotations }}
annotations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
