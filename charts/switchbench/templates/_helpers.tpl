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
