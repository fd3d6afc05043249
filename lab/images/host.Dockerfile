# A Debian host as a cloud image leaves it: systemd as PID 1, OpenSSH, sudo, and the default
# user `admin` with passwordless sudo (its authorized key is put in when a lab host is created).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      systemd systemd-sysv dbus openssh-server sudo iproute2 procps curl gnupg \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --shell /bin/bash admin \
 && echo 'admin ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/90-cloud-init-users \
 && chmod 0440 /etc/sudoers.d/90-cloud-init-users \
 && install -d -m 0700 -o admin -g admin /home/admin/.ssh \
 && rm -f /etc/ssh/ssh_host_*_key* \
 && systemctl enable ssh \
 && systemctl mask systemd-logind.service getty.target console-getty.service systemd-udevd.service \
      systemd-udev-trigger.service systemd-remount-fs.service sys-kernel-config.mount \
 && printf '[Unit]\nDescription=Generate SSH host keys\nBefore=ssh.service\nConditionPathExists=!/etc/ssh/ssh_host_ed25519_key\n[Service]\nType=oneshot\nExecStart=/usr/bin/ssh-keygen -A\n[Install]\nWantedBy=multi-user.target\n' \
      > /etc/systemd/system/ssh-hostkeys.service \
 && systemctl enable ssh-hostkeys.service
STOPSIGNAL SIGRTMIN+3
CMD ["/sbin/init"]
