"""Nova's fake virt driver, with a snapshot that does what a real hypervisor driver does.

The stock nova.virt.fake.FakeDriver.snapshot only sets task_state image_uploading and returns at once:
the Glance image Nova created stays 'queued' forever and the server's task_state is busy for well under a
second. A real driver (libvirt) instead:

    update_task_state(image_pending_upload)            while it extracts the disk   (image 'queued')
    update_task_state(image_uploading, expected=image_pending_upload)
    image_api.update(image_id, {formats}, data=disk)   PUT /v2/images/{id}/file     (image 'saving' -> 'active')

and only then returns, so the server keeps a task_state (and createImage answers 409) for the whole upload.
UploadingFakeDriver does exactly that with a few hundred KiB of random bytes sent at a limited rate, so
tests see queued -> saving -> active and the 409 window. Every other call is FakeDriver's.

Two more differences, both for restarts: FakeDriver keeps its "VMs" in memory, so after nova-compute
restarts it knows none of the servers, and a createImage on one of them failed silently (image deleted,
task_state stuck at image_snapshot). This driver adopts any server Nova asks about.

Run-time control (directory $AUTOSNAP_OSRIG_CONTROL, default <state>/control), for tests:
    hold   while this file exists, snapshots wait before the upload: task_state image_pending_upload,
           image 'queued'. Remove it and they go on.
    fail   while this file exists, a snapshot fails like a broken hypervisor: Nova deletes the image and
           clears the task_state (the server gets an instance fault).
Upload parameters come from the environment nova-compute was started with:
    AUTOSNAP_OSRIG_UPLOAD_DELAY  seconds in image_pending_upload before the upload (default 2)
    AUTOSNAP_OSRIG_UPLOAD_BYTES  size of the "disk" (default 262144)
    AUTOSNAP_OSRIG_UPLOAD_RATE   bytes per second (default 131072), so 'saving' lasts ~2 s by default

Loaded by up.sh as nova.virt.autosnap_fake (Nova only loads drivers from the nova.virt namespace).
"""
import os
import time

from oslo_log import log as logging

from nova.compute import power_state
from nova.compute import task_states
from nova import exception
from nova.image import glance
from nova.virt import fake

LOG = logging.getLogger(__name__)

CHUNK = 64 * 1024


def _setting(name, default):
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return float(default)


class _ThrottledDisk(object):
    """A file-like "disk image" of random bytes, readable at a limited rate (glanceclient calls read(64K))."""

    def __init__(self, size, rate):
        self.remaining = int(size)
        self.rate = rate

    def read(self, size=-1):
        if self.remaining <= 0:
            return b''
        n = self.remaining if size is None or size < 0 else min(size, self.remaining)
        n = min(n, CHUNK)
        if self.rate > 0:
            time.sleep(n / self.rate)
        self.remaining -= n
        return os.urandom(n)


class UploadingFakeDriver(fake.FakeDriver):

    def _control(self, name):
        directory = os.environ.get('AUTOSNAP_OSRIG_CONTROL', '')
        return bool(directory) and os.path.exists(os.path.join(directory, name))

    def _adopt(self, instance):
        if instance.uuid not in self.instances:
            state = power_state.SHUTDOWN if instance.vm_state == 'stopped' else power_state.RUNNING
            self.instances[instance.uuid] = fake.FakeInstance(instance.name, state, instance.uuid)
            LOG.info('adopted server %s after a restart of nova-compute', instance.uuid)

    def get_info(self, instance, use_cache=True):
        self._adopt(instance)
        return super(UploadingFakeDriver, self).get_info(instance, use_cache)

    def snapshot(self, context, instance, image_id, update_task_state):
        self._adopt(instance)
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)

        time.sleep(_setting('AUTOSNAP_OSRIG_UPLOAD_DELAY', 2))
        while self._control('hold'):
            time.sleep(0.5)
        if self._control('fail'):
            raise exception.NovaException('autosnap_fake: snapshot failed on purpose (control file "fail")')

        update_task_state(task_state=task_states.IMAGE_UPLOADING,
                          expected_state=task_states.IMAGE_PENDING_UPLOAD)
        disk = _ThrottledDisk(_setting('AUTOSNAP_OSRIG_UPLOAD_BYTES', 262144),
                              _setting('AUTOSNAP_OSRIG_UPLOAD_RATE', 131072))
        # Like libvirt: set the formats and send the data in one image_api.update (PATCH, then PUT file).
        glance.API().update(context, image_id, {'disk_format': 'raw', 'container_format': 'bare'},
                            data=disk, purge_props=False)
        LOG.info('uploaded snapshot %s', image_id)
