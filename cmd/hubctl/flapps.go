package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/flapps"
)

func newFLAppsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fl-apps",
		Short: "Publish FLIP's FL base application, which flip-api copies job templates from",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newFLAppsPublishCmd())
	return cmd
}

func newFLAppsPublishCmd() *cobra.Command {
	var o flapps.Options
	cmd := hubCommand("publish --stack S --dir fl-apps/<backend> --commit SHA", "Sync a base application to s3://<app-bundles>/base-application/<backend>/",
		false, false, func(cmd *cobra.Command, _ []string, r hubRun) error {
			o.Log = cmd.OutOrStdout()
			res, err := r.h.PublishFLApps(cmd.Context(), o)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "published %s: %d uploaded, %d unchanged, %d deleted\n",
				res.Marker, len(res.Uploaded), len(res.Unchanged), len(res.Deleted))
			return err
		})
	cmd.Flags().StringVar(&o.Dir, "dir", "", "the base application directory (FLIP's fl-apps/<backend>)")
	cmd.Flags().StringVar(&o.Commit, "commit", "", "the full commit SHA DIR was built from (names the marker)")
	_ = cmd.MarkFlagRequired("dir")
	_ = cmd.MarkFlagRequired("commit")
	return cmd
}
