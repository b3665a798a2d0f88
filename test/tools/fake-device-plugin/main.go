// fake-device-plugin advertises devices that do not exist to the kubelet, through the kubelet's
// device-plugin API (v1beta1), the way the SR-IOV network device plugin advertises VFs: a container
// that requests the resource gets PCIDEVICE_<RESOURCE> set to the PCI addresses of its devices. It
// lets switchbench's end-to-end tests take the SR-IOV request path on a machine without SR-IOV.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

type plugin struct {
	pluginapi.UnimplementedDevicePluginServer
	resource string
	envVar   string
	devices  []*pluginapi.Device
}

func (p *plugin) GetDevicePluginOptions(context.Context, *pluginapi.Empty) (*pluginapi.DevicePluginOptions, error) {
	return &pluginapi.DevicePluginOptions{}, nil
}

// ListAndWatch reports the devices once; they never change, so the stream then waits for its end.
func (p *plugin) ListAndWatch(_ *pluginapi.Empty, stream pluginapi.DevicePlugin_ListAndWatchServer) error {
	if err := stream.Send(&pluginapi.ListAndWatchResponse{Devices: p.devices}); err != nil {
		return err
	}
	<-stream.Context().Done()
	return nil
}

func (p *plugin) GetPreferredAllocation(context.Context, *pluginapi.PreferredAllocationRequest) (*pluginapi.PreferredAllocationResponse, error) {
	return &pluginapi.PreferredAllocationResponse{}, nil
}

// Allocate answers as the SR-IOV network device plugin does: the device IDs are PCI addresses, and
// the container learns them from one variable. No device node or mount: the devices are not there.
func (p *plugin) Allocate(_ context.Context, request *pluginapi.AllocateRequest) (*pluginapi.AllocateResponse, error) {
	response := &pluginapi.AllocateResponse{}
	for _, container := range request.ContainerRequests {
		ids := strings.Join(container.DevicesIds, ",")
		log.Printf("allocate %s: %s=%s", p.resource, p.envVar, ids)
		response.ContainerResponses = append(response.ContainerResponses,
			&pluginapi.ContainerAllocateResponse{Envs: map[string]string{p.envVar: ids}})
	}
	return response, nil
}

func (p *plugin) PreStartContainer(context.Context, *pluginapi.PreStartContainerRequest) (*pluginapi.PreStartContainerResponse, error) {
	return &pluginapi.PreStartContainerResponse{}, nil
}

// envVarFor is the SR-IOV network device plugin's variable name for a resource prefix/name.
func envVarFor(resource string) string {
	return "PCIDEVICE_" + strings.ToUpper(strings.NewReplacer(".", "_", "/", "_").Replace(resource))
}

// serve listens on the plugin's socket and registers with the kubelet. The caller stops the
// returned server before serving again.
func serve(p *plugin, dir, socket string) (*grpc.Server, error) {
	path := filepath.Join(dir, socket)
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	listener, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	server := grpc.NewServer()
	pluginapi.RegisterDevicePluginServer(server, p)
	go func() { _ = server.Serve(listener) }()
	log.Printf("started: serving %s on %s", p.resource, path)

	// The kubelet dials the plugin back while handling Register, so the server runs first.
	err = register(p.resource, filepath.Join(dir, filepath.Base(pluginapi.KubeletSocket)), socket)
	if err != nil {
		server.Stop()
		return nil, fmt.Errorf("registering %s with the kubelet: %w", p.resource, err)
	}
	log.Printf("registered %s with %d devices: %s", p.resource, len(p.devices), deviceIDs(p.devices))
	return server, nil
}

func register(resource, kubeletSocket, endpoint string) error {
	conn, err := grpc.NewClient("unix://"+kubeletSocket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = pluginapi.NewRegistrationClient(conn).Register(ctx,
		&pluginapi.RegisterRequest{Version: pluginapi.Version, Endpoint: endpoint, ResourceName: resource})
	return err
}

func deviceIDs(devices []*pluginapi.Device) string {
	ids := make([]string, len(devices))
	for i, d := range devices {
		ids[i] = d.ID
	}
	return strings.Join(ids, ",")
}

// incarnation tells a file from the one that was at its path before: a restarted kubelet creates a
// new kubelet.sock. The inode alone is not enough, as the file system may give the new socket the
// inode the old one freed. Zero when the file is missing.
type incarnation struct {
	inode    uint64
	modified int64
}

func incarnationOf(path string) incarnation {
	info, err := os.Stat(path)
	if err != nil {
		return incarnation{}
	}
	id := incarnation{modified: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		id.inode = st.Ino
	}
	return id
}

func main() {
	resource := flag.String("resource", "", "extended resource to advertise, prefix/name (required)")
	count := flag.Int("devices", 2, "number of devices")
	prefix := flag.String("pci-prefix", "0000:ff:1f.", "device i gets PCI address <prefix><i>: an address no machine has")
	dir := flag.String("plugin-dir", pluginapi.DevicePluginPath, "the kubelet's device-plugin directory, holding kubelet.sock")
	socket := flag.String("socket-name", "", "this plugin's socket in plugin-dir (default switchbench-<name>.sock)")
	flag.Parse()
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	domain, name, ok := strings.Cut(*resource, "/")
	if !ok || domain == "" || name == "" || strings.Contains(name, "/") {
		log.Fatalf("--resource must be prefix/name, e.g. switchbench.io/fake_vf (got %q)", *resource)
	}
	if *count < 1 {
		log.Fatalf("--devices must be at least 1 (got %d)", *count)
	}
	if *socket == "" {
		*socket = "switchbench-" + name + ".sock"
	}
	p := &plugin{resource: *resource, envVar: envVarFor(*resource)}
	for i := range *count {
		p.devices = append(p.devices, &pluginapi.Device{ID: fmt.Sprintf("%s%d", *prefix, i), Health: pluginapi.Healthy})
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	ownSocket := filepath.Join(*dir, *socket)
	kubeletSocket := filepath.Join(*dir, filepath.Base(pluginapi.KubeletSocket))
	kubelet := incarnationOf(kubeletSocket)
	// A first failure is fatal so a test that starts the plugin sees why at once.
	server, err := serve(p, *dir, *socket)
	if err != nil {
		log.Fatal(err)
	}
	// A restarting kubelet deletes every plugin socket and makes a new kubelet.sock; it forgets the
	// plugins, which must register again. Polling the two files once a second is enough for a test
	// and avoids an inotify dependency.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case sig := <-stop:
			if server != nil {
				server.Stop()
			}
			_ = os.Remove(ownSocket)
			log.Printf("stopped on %v: removed %s", sig, ownSocket)
			return
		case <-tick.C:
			now := incarnationOf(kubeletSocket)
			if server != nil && now == kubelet && incarnationOf(ownSocket) != (incarnation{}) {
				continue
			}
			if now == (incarnation{}) {
				continue // the kubelet is not back yet
			}
			if server != nil {
				log.Printf("re-registering: kubelet.sock re-created or %s deleted", *socket)
				server.Stop()
			}
			kubelet = now
			if server, err = serve(p, *dir, *socket); err != nil {
				log.Printf("%v (retrying in 1 s)", err)
			}
		}
	}
}
