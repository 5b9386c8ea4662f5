#include "tcpsight/model/cgroup_name.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kPod = "6c1e2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7";
const std::string kPodUnderscored = "6c1e2a3b_4c5d_6e7f_8091_a2b3c4d5e6f7";

TEST(CgroupName, SystemdServicesAndScopes) {
  EXPECT_EQ(name_cgroup("/system.slice/nginx.service"), CgroupName{.unit = "nginx.service"});
  EXPECT_EQ(name_cgroup("/user.slice/user-1000.slice/session-3.scope"),
            CgroupName{.unit = "session-3.scope"});
  // The innermost unit: a user's service under their manager.
  EXPECT_EQ(name_cgroup("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"),
            CgroupName{.unit = "foo.service"});
  EXPECT_EQ(name_cgroup("/"), CgroupName{});
  EXPECT_EQ(name_cgroup("/system.slice"), CgroupName{});
}

TEST(CgroupName, DockerWithEitherDriver) {
  EXPECT_EQ(name_cgroup("/system.slice/docker-" + kId + ".scope"), CgroupName{.container = kId});
  EXPECT_EQ(name_cgroup("/docker/" + kId), CgroupName{.container = kId});
  EXPECT_EQ(short_container_id(kId), "0123456789ab");
}

TEST(CgroupName, ContainerdCrioAndPodman) {
  EXPECT_EQ(name_cgroup("/system.slice/cri-containerd-" + kId + ".scope").container, kId);
  EXPECT_EQ(name_cgroup("/machine.slice/libpod-" + kId + ".scope").container, kId);
  EXPECT_EQ(name_cgroup("/system.slice/crio-" + kId + ".scope").container, kId);
  // The runtimes' monitor processes are not the container.
  EXPECT_EQ(name_cgroup("/system.slice/crio-conmon-" + kId + ".scope"),
            CgroupName{.unit = "crio-conmon-" + kId + ".scope"});
  EXPECT_EQ(name_cgroup("/machine.slice/libpod-conmon-" + kId + ".scope"),
            CgroupName{.unit = "libpod-conmon-" + kId + ".scope"});
  // With the cgroupfs driver.
  EXPECT_EQ(name_cgroup("/kubepods/besteffort/pod" + kPod + "/crio-" + kId).container, kId);
  EXPECT_EQ(name_cgroup("/libpod_parent/libpod-" + kId).container, kId);
}

TEST(CgroupName, KubernetesInKind) {
  EXPECT_EQ(name_cgroup("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                        "kubelet-kubepods-besteffort-pod" +
                        kPodUnderscored + ".slice/cri-containerd-" + kId + ".scope"),
            (CgroupName{.container = kId, .pod = kPod, .qos = "besteffort"}));
}

TEST(CgroupName, KubernetesWithTheSystemdDriver) {
  EXPECT_EQ(name_cgroup("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                        kPodUnderscored + ".slice/cri-containerd-" + kId + ".scope"),
            (CgroupName{.container = kId, .pod = kPod, .qos = "burstable"}));
  EXPECT_EQ(name_cgroup("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                        kPodUnderscored + ".slice/crio-" + kId + ".scope"),
            (CgroupName{.container = kId, .pod = kPod, .qos = "besteffort"}));
  // Guaranteed pods sit right under kubepods.slice.
  EXPECT_EQ(name_cgroup("/kubepods.slice/kubepods-pod" + kPodUnderscored +
                        ".slice/cri-containerd-" + kId + ".scope"),
            (CgroupName{.container = kId, .pod = kPod, .qos = "guaranteed"}));
}

TEST(CgroupName, KubernetesWithTheCgroupfsDriver) {
  EXPECT_EQ(name_cgroup("/kubepods/burstable/pod" + kPod + "/" + kId),
            (CgroupName{.container = kId, .pod = kPod, .qos = "burstable"}));
  EXPECT_EQ(name_cgroup("/kubepods/pod" + kPod + "/" + kId),
            (CgroupName{.container = kId, .pod = kPod, .qos = "guaranteed"}));
  // The pod's own cgroup, no container in it.
  EXPECT_EQ(name_cgroup("/kubepods/besteffort/pod" + kPod),
            (CgroupName{.pod = kPod, .qos = "besteffort"}));
}

TEST(CgroupName, LookalikesAreNotNames) {
  EXPECT_EQ(name_cgroup("/system.slice/docker-0123.scope"),
            CgroupName{.unit = "docker-0123.scope"}); // too short for an id
  EXPECT_EQ(name_cgroup("/docker/" + std::string(64, 'G')), CgroupName{});
  EXPECT_EQ(name_cgroup("/pod" + kPod), CgroupName{}); // not under kubepods
  EXPECT_EQ(name_cgroup("/kubepods/podnot-a-uid"), CgroupName{});
  // A pod UID is hex and dashes: a look-alike with other bytes names no pod.
  EXPECT_EQ(name_cgroup("/kubepods/pod6c1e2a3b-4c5d-6e7f-8091-a2b3c4d5e\"\n\xff"), CgroupName{});
}

TEST(CgroupName, DisplayNamePrefersTheContainer) {
  EXPECT_EQ(cgroup_display_name({.path = "/docker/" + kId, .name = name_cgroup("/docker/" + kId)}),
            "0123456789ab");
  EXPECT_EQ(cgroup_display_name({.path = "/system.slice/a.service", .name = {.unit = "a.service"}}),
            "a.service");
  EXPECT_EQ(cgroup_display_name({.path = "/user.slice/user-1000.slice", .name = {}}),
            "user-1000.slice");
  EXPECT_EQ(cgroup_display_name({.path = "/", .name = {}}), "/");
}

} // namespace
} // namespace tcpsight
