"""An ML2 mechanism driver that binds every port, for a Neutron without agents.

The tier has no Open vSwitch, no Linux bridges and no L2 agents, and Nova's fake virt driver plugs nothing. Without a
mechanism driver ML2 leaves a port unbound, Nova sees binding:vif_type 'binding_failed' and the boot ends in
PortBindingFailed (server ERROR, "Exceeded maximum number of retries"). This driver binds each port to the first
segment of its network with vif_type 'other', so a server can be booted on a network: it gets a port, a fixed IP from
the subnet and addresses in its server view. Nothing carries packets: the fake VMs run nothing.

Loaded by neutron-server through the entry point in autosnap_osrig-1.0.dist-info (ML2 finds mechanism drivers by
entry-point name only); up.sh puts this directory on neutron-server's PYTHONPATH and names it in [ml2] mechanism_drivers.
"""
from neutron_lib.api.definitions import portbindings
from neutron_lib import constants
from neutron_lib.plugins.ml2 import api


class LoopbackMechanismDriver(api.MechanismDriver):

    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OTHER, {},
                                status=constants.PORT_STATUS_ACTIVE)
            return
